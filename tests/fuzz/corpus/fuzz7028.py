# model fuzz7028, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.softmax(x, -1)
    v2 = torch.mean(torch.log(((v1 * v1) + torch.tensor(1))))
    p1 = t["p1"]
    v3 = (p1 - x)
    p2 = t["p2"]
    v4 = torch.mean((torch.log(((v3 * v3) + torch.tensor(1))) + p2))
    v5 = (v4 - v4)
    p3 = t["p3"]
    z = torch.matmul(torch.flatten(v3, 1), p3)
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + torch.sum(v2) + torch.sum(torch.tanh(v5))
