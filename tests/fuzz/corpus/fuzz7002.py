# model fuzz7002, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (x * torch.sqrt((torch.abs((-torch.relu(torch.sqrt((torch.abs((x / torch.exp(torch.tanh(x)))) + torch.tensor(0.5)))))) + torch.tensor(0.5))))
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.tanh(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.relu(h)
        return h
    p1 = t["p1"]
    v2 = torch.matmul(net1(v1), p1)
    v3 = torch.log((torch.sigmoid(v2) + torch.tensor(0.5)))
    v4 = torch.sigmoid(torch.sigmoid(F.elu(x)))
    p2 = t["p2"]
    v5 = (p2 + x)
    v6 = net1((v5 * torch.tensor(1.5)))
    v7 = (v6 / ((v6 * v6) + torch.tensor(1)))
    z = F.linear(v4, t["z.weight"], t["z.bias"])
    return torch.mean(((z - y) * (z - y)))
