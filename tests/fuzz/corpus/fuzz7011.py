# model fuzz7011, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        return h
    p1 = t["p1"]
    v1 = torch.softmax((net1(x) - p1), -1)
    v2 = (x - torch.relu((-torch.tanh(v1))))
    v3 = torch.sum((-torch.log((torch.sigmoid(net1(v2)) + torch.tensor(0.5)))))
    v4 = ((-torch.tanh(torch.exp((v3 / ((v3 * v3) + torch.tensor(1)))))) / ((torch.tensor(2) * torch.tensor(2)) + torch.tensor(1)))
    v5 = (v4 - torch.sigmoid((v4 / (torch.sigmoid(v3) + torch.tensor(0.5)))))
    v6 = torch.mean((v4 - v5))
    v7 = (v5 + v3)
    v8 = (-x)
    v9 = torch.relu((-v8))
    p2 = t["p2"]
    v10 = torch.sum(F.linear(torch.matmul(v9, p2), t["v10.weight"], t["v10.bias"]))
    logits = torch.matmul(x, p2)
    return F.cross_entropy(logits, y)
