# model fuzz7030, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.relu(y)
    p1 = t["p1"]
    v2 = F.linear(torch.matmul(v1, p1), t["v2.weight"], t["v2.bias"])
    p2 = t["p2"]
    p3 = t["p3"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.tanh(h)
        return h
    v3 = torch.sum(F.linear(net1(((torch.tanh(v1) + p2) - p3)), t["v3.weight"], t["v3.bias"]))
    v4 = torch.sigmoid(((v3 / ((v3 * v3) + torch.tensor(1))) + v3))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        return h
    z = net2(torch.flatten(x, 1))
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
