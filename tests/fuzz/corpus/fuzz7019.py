# model fuzz7019, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.flatten((x - x), 1)
    p1 = t["p1"]
    p2 = t["p2"]
    v2 = (p2 * torch.flatten((x * p1), 1))
    v3 = torch.flatten(x, 1)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    z = net1(v1)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.mean(v3)) + torch.sum(v1)
