# model fuzz7018, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.exp(torch.tanh((x - p1)))
    v2 = torch.softmax(v1, -1)
    v3 = (v2 - x)
    p2 = t["p2"]
    v4 = (torch.matmul(p2, p1) / torch.exp(torch.tanh(torch.tensor(0.10000000000000001))))
    v5 = (v4 / ((v4 * v4) + torch.tensor(1)))
    v6 = (v4 + v5)
    v7 = ((-p2) - torch.tensor(3))
    v8 = torch.tanh(v7)
    v9 = torch.mean((torch.matmul(y, p2) - torch.tensor(3)))
    p3 = t["p3"]
    v10 = torch.relu(torch.tanh((v3 * (torch.softmax(x, -1) / ((p3 * p3) + torch.tensor(1))))))
    z = F.linear(torch.flatten(v10, 1), t["z.weight"], t["z.bias"])
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.sum(v9)) + (torch.tensor(0.01) * torch.sum(v8))
