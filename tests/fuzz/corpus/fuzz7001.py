# model fuzz7001, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.matmul((x * x), p1)[:, 1:6]
    v2 = torch.softmax(x, -1)
    p2 = t["p2"]
    z = torch.matmul(torch.tanh(v1), p2)
    return F.mse_loss(z, y)
