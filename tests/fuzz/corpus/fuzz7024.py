# model fuzz7024, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = (-torch.softmax(torch.matmul((y + F.linear(x, t["v1.weight"], t["v1.bias"])), p1), -1))
    v2 = F.linear(v1, t["v2.weight"], t["v2.bias"])
    v3 = torch.relu(torch.sigmoid(v2))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        return h
    v4 = net1(v3)
    v5 = (v4 / ((v4 * v4) + torch.tensor(1)))
    v6 = torch.sum(torch.tanh(torch.log((torch.sigmoid(F.linear(x, t["v6.weight"], t["v6.bias"])) + torch.tensor(0.5)))))
    p2 = t["p2"]
    v7 = (torch.relu((torch.softmax(v4, -1) + p2)) + v6)
    v8 = torch.softmax(torch.sigmoid(((-(-torch.tanh(p2))) / ((torch.tensor(3) * torch.tensor(3)) + torch.tensor(1)))), -1)
    v9 = (torch.tensor(0.10000000000000001) - torch.softmax((v6 - v8), -1))
    z = F.linear(v2, t["z.weight"], t["z.bias"])
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y)))
