# model fuzz7004, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    p2 = t["p2"]
    v1 = (torch.matmul(torch.softmax(x, -1), p1) / (torch.sigmoid(p2) + torch.tensor(0.5)))
    v2 = (x + (-torch.tanh(x)))
    v3 = (y + torch.tensor(1.5))
    v4 = F.linear(v3, t["v4.weight"], t["v4.bias"])
    v5 = (torch.tensor(1.5) + v4)
    v6 = torch.softmax(v5, -1)
    v7 = torch.relu((-v2))
    v8 = (v7 / (torch.sigmoid(v7) + torch.tensor(0.5)))
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        return h
    v9 = torch.tanh(net1(v8))
    p3 = t["p3"]
    z = torch.matmul(v9, p3)
    return torch.mean(((z - y) * (z - y))) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.10000000000000001) * torch.sum(v6)) + (torch.tensor(0.10000000000000001) * torch.mean((v6 * v6)))
