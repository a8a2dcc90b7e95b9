# model fuzz7012, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = (p1 + (-x))
    v2 = torch.sum(torch.tanh((p1 * v1)))
    v3 = torch.log(torch.exp(torch.sigmoid(v2)))
    v4 = (v3 * y)
    v5 = torch.log(((v4 * v4) + torch.tensor(1)))
    p2 = t["p2"]
    v6 = (torch.matmul(torch.tanh(v5), p2) + v2)
    v7 = torch.sigmoid(torch.tanh(v1))
    def net1(h):
        h = F.avg_pool2d(h, 3, 1, 0)
        h = F.avg_pool2d(h, 2, 2, 1)
        h = torch.relu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.tanh(h)
        return h
    v8 = net1(v7)
    def net2(h):
        h = torch.flatten(h, 1)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        return h
    v9 = torch.softmax(net2(x), -1)
    v10 = torch.log(((v9 * v9) + torch.tensor(1)))
    z = F.linear(v8, t["z.weight"], t["z.bias"])
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + torch.sum(v10) + torch.mean(v6) + (torch.tensor(0.10000000000000001) * torch.sum(v7))
