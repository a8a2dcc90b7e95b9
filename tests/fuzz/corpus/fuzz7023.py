# model fuzz7023, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        return h
    p1 = t["p1"]
    v1 = (p1 * net1(x))
    p2 = t["p2"]
    p3 = t["p3"]
    v2 = ((torch.sigmoid(p1) / (torch.sigmoid(p2) + torch.tensor(0.5))) * p3)
    p4 = t["p4"]
    v3 = (p4 + ((-v2) - torch.tensor(0.10000000000000001)))
    p5 = t["p5"]
    v4 = (x / ((p5 * p5) + torch.tensor(1)))
    v5 = torch.relu(v4)
    v6 = torch.flatten(torch.relu(x), 1)
    p6 = t["p6"]
    v7 = F.linear(net1(torch.matmul(torch.relu(y), p6)), t["v7.weight"], t["v7.bias"])
    v8 = F.linear((v7 / ((v7 * v7) + torch.tensor(1))), t["v8.weight"], t["v8.bias"])
    v9 = torch.log(((v8 * v8) + torch.tensor(1)))
    v10 = torch.sigmoid(F.linear(net1(x), t["v10.weight"], t["v10.bias"]))
    v11 = torch.tanh((v10 * p2))
    z = F.linear(v8, t["z.weight"], t["z.bias"])
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y)))
