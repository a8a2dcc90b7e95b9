# model fuzz7007, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.relu(h)
        return h
    v1 = torch.mean((-net1(torch.matmul(y, p1))))
    v2 = (-torch.softmax(y, -1))
    p2 = t["p2"]
    v3 = (torch.softmax((-(torch.relu(x) - p2)), -1) * torch.tensor(2))
    v4 = torch.mean((v3 - x))
    v5 = (torch.tensor(0.10000000000000001) - torch.sigmoid(p1))
    p3 = t["p3"]
    v6 = (-torch.matmul(v5, p3))
    v7 = torch.sum((torch.sigmoid((torch.log(((v6 * v6) + torch.tensor(1))) / ((v6 * v6) + torch.tensor(1)))) / (torch.sigmoid(v6) + torch.tensor(0.5))))
    def net2(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    v8 = net2(v2)
    return torch.mean(((v8 - y) * (v8 - y))) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + torch.mean((v7 * v7))
