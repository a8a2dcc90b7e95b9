# model fuzz7030, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        return h
    v1 = net1(y)
    p1 = t["p1"]
    v2 = (p1 * x)
    v3 = torch.mean(torch.tanh(v2))
    v4 = (-x)
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    return F.binary_cross_entropy_with_logits(net2(torch.flatten(v4, 1)), y) + torch.mean(v3) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
