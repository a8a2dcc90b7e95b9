# model fuzz7016, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = F.linear(x, t["v1.weight"], t["v1.bias"])
    p1 = t["p1"]
    return F.cross_entropy(torch.matmul(v1, p1), y) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
