# model fuzz7026, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (x / torch.exp(torch.tanh(x)))
    p1 = t["p1"]
    p2 = t["p2"]
    def net1(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.relu(h)
        return h
    v2 = torch.sum(net1(torch.matmul((v1 + p1), p2)))
    v3 = (v2 / ((v2 * v2) + torch.tensor(1)))
    p3 = t["p3"]
    z = torch.matmul(v1, p3)
    return torch.mean(((z - y) * (z - y))) + (torch.tensor(0.01) * torch.mean((p3 * p3))) + (torch.tensor(0.01) * torch.sum(torch.tanh(v3)))
