# model fuzz7010, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.mean((x / (torch.sigmoid(p1) + torch.tensor(0.5))))
    v2 = (v1 - v1)
    v3 = torch.tanh((v2 / ((v2 * v2) + torch.tensor(1))))
    p2 = t["p2"]
    z = torch.matmul(torch.flatten(x, 1), p2)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.mean((v3 * v3)))
