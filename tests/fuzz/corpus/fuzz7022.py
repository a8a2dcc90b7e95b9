# model fuzz7022, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.relu(x)
    v2 = (v1 / ((v1 * v1) + torch.tensor(1)))
    p1 = t["p1"]
    v3 = torch.mean((x - p1))
    def net1(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        return h
    v4 = torch.sum(net1(x))
    v5 = torch.sigmoid((v2 - (v4 / ((v4 * v4) + torch.tensor(1)))))
    v6 = torch.tanh(x)
    p2 = t["p2"]
    v7 = (p2 * net1(v6))
    p3 = t["p3"]
    v8 = torch.matmul((torch.sigmoid(x) / ((v2 * v2) + torch.tensor(1))), p3)
    v9 = torch.log((torch.sigmoid((x * v5)) + torch.tensor(0.5)))
    v10 = (F.linear((-v1), t["v10.weight"], t["v10.bias"]) * v3)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    logits = net2(torch.tanh(v10))
    return F.cross_entropy(logits, y)
