# model fuzz7021, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    v1 = torch.sigmoid(torch.matmul((x / ((x * x) + torch.tensor(1))), p1))
    p2 = t["p2"]
    return F.cross_entropy(torch.matmul(v1, p2), y)
