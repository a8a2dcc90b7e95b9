# model fuzz7001, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = F.linear(x, t["v1.weight"], t["v1.bias"])
    v2 = torch.mean(torch.sigmoid((v1 / torch.exp(torch.tanh(v1)))))
    v3 = torch.sum((v2 - v2))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    v4 = net1(v1)
    return torch.mean(((v4 - y) * (v4 - y))) + torch.mean(v3) + (torch.tensor(0.01) * torch.mean((v2 * v2))) + torch.sum(torch.tanh(x))
