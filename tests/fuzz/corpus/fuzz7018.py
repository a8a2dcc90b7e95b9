# model fuzz7018, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.sqrt((torch.abs(torch.flatten(x, 1)) + torch.tensor(0.5)))
    v2 = (y + torch.tensor(3))
    v3 = torch.sum(torch.log(((v2 * v2) + torch.tensor(1))))
    v4 = torch.log((torch.sigmoid(v3) + torch.tensor(0.5)))
    p1 = t["p1"]
    v5 = torch.mean((F.gelu(v1) / ((p1 * p1) + torch.tensor(1))))
    v6 = F.silu(x)
    v7 = (p1 / torch.exp(torch.tanh(v1)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    p2 = t["p2"]
    p3 = t["p3"]
    v8 = (torch.relu((net1(v7) - p2)) * p3)
    v9 = torch.relu(torch.flatten(x, 1))
    v10 = net1(v9)
    v11 = torch.clamp(x, -0.5, 0.75)
    p4 = t["p4"]
    z = torch.matmul(v10, p4)
    return F.mse_loss(z, y)
