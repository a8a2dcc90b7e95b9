# model fuzz7001, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.matmul(torch.sqrt((torch.abs(torch.sqrt((torch.abs(x) + torch.tensor(0.5)))) + torch.tensor(0.5))), p1)
    p2 = t["p2"]
    v2 = torch.matmul(F.linear(v1, t["v2.weight"], t["v2.bias"]), p2)
    z = F.linear(torch.tanh(v2), t["z.weight"], t["z.bias"])
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + torch.sum(torch.tanh(v1))
