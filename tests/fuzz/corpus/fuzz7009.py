# model fuzz7009, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sigmoid(x)
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        return h
    p1 = t["p1"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.tanh(h)
        return h
    v2 = torch.tanh(F.linear(net2((net1(torch.exp(torch.tanh((-x)))) / ((p1 * p1) + torch.tensor(1)))), t["v2.weight"], t["v2.bias"]))
    v3 = torch.sigmoid((p1 * p1))
    v4 = (v3 / ((p1 * p1) + torch.tensor(1)))
    p2 = t["p2"]
    v5 = (torch.softmax(v4, -1) / ((p2 * p2) + torch.tensor(1)))
    p3 = t["p3"]
    logits = torch.matmul(torch.flatten(v1, 1), p3)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p3 * p3))) + (torch.tensor(0.01) * torch.sum(v2))
