# model fuzz7011, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    v1 = (torch.log(((x * x) + torch.tensor(1))) / (torch.sigmoid(p1) + torch.tensor(0.5)))
    v2 = (v1 / ((v1 * v1) + torch.tensor(1)))
    v3 = torch.relu(p1)
    v4 = (torch.log(((v3 * v3) + torch.tensor(1))) - p1)
    v5 = (v4 / (torch.sigmoid(v4) + torch.tensor(0.5)))
    v6 = (torch.log(((v5 * v5) + torch.tensor(1))) * p1)
    p2 = t["p2"]
    v7 = torch.sum(torch.relu(((((v6 / ((v6 * v6) + torch.tensor(1))) * p2) + torch.tensor(2)) * p1)))
    v8 = (p1 + torch.softmax((torch.relu(torch.softmax(torch.tanh(v5), -1)) / (torch.sigmoid(v5) + torch.tensor(0.5))), -1))
    v9 = (v8 + v3)
    v10 = (-torch.sigmoid(v9))
    v11 = (v10 - v7)
    v12 = (v8 * torch.softmax(torch.log(((v11 * v11) + torch.tensor(1))), -1))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        return h
    def net2(h):
        h = torch.flatten(h, 1)
        h = torch.relu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        return h
    v13 = net2((-net1(x)))
    v14 = net1((v7 + x))
    p3 = t["p3"]
    logits = torch.matmul(v14, p3)
    return F.cross_entropy(logits, y) + (torch.tensor(0.10000000000000001) * torch.mean((v13 * v13))) + (torch.tensor(0.01) * torch.mean((p3 * p3))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
