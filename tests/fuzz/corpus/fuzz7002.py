# model fuzz7002, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.tanh(h)
        return h
    def net2(h):
        h = torch.relu(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = torch.exp(net2(net1(torch.sigmoid(F.linear(torch.matmul(x, p1), t["v1.weight"], t["v1.bias"])))))
    v2 = torch.softmax(x, -1)
    p2 = t["p2"]
    v3 = torch.matmul(F.linear(v2, t["v3.weight"], t["v3.bias"]), p2)
    p3 = t["p3"]
    v4 = (x / (torch.sigmoid(p3) + torch.tensor(0.5)))
    v5 = F.linear(x, t["v5.weight"], t["v5.bias"])
    v6 = torch.exp(torch.tanh(torch.softmax(torch.exp(torch.tanh(v5)), -1)))
    z = F.linear(v1, t["z.weight"], t["z.bias"])
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + (torch.tensor(0.01) * torch.sum(torch.tanh(v3))) + (torch.tensor(0.01) * torch.sum(torch.tanh(v1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
