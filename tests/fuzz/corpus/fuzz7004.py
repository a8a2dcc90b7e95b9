# model fuzz7004, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = F.linear((p1 * torch.tanh(x)), t["v1.weight"], t["v1.bias"])
    v2 = (p1 * p1)
    v3 = torch.sqrt((torch.abs(torch.log(((v2 * v2) + torch.tensor(1)))) + torch.tensor(0.5)))
    v4 = torch.sqrt((torch.abs(v3) + torch.tensor(0.5)))
    v5 = torch.relu(v4)
    v6 = torch.sum(torch.relu(v5))
    v7 = torch.log(((v6 * v6) + torch.tensor(1)))
    v8 = torch.relu(torch.tanh(v7))
    v9 = torch.sum(torch.log(((v8 * v8) + torch.tensor(1))))
    v10 = torch.tanh(torch.cat([torch.softmax(x, -1), x], 1))
    p2 = t["p2"]
    z = torch.matmul(v10, p2)
    return F.mse_loss(z, y)
