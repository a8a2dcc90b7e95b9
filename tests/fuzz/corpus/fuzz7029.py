# model fuzz7029, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.relu((torch.relu(x) / ((p1 * p1) + torch.tensor(1))))
    p2 = t["p2"]
    v2 = (p2 - v1)
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.relu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net1.8.weight"], t["net1.8.bias"])
        h = torch.sigmoid(h)
        return h
    v3 = torch.softmax(torch.relu(net1((v2 / ((v2 * v2) + torch.tensor(1))))), -1)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        return h
    v4 = net2(F.linear(v3, t["v4.weight"], t["v4.bias"]))
    v5 = torch.sigmoid(x)
    v6 = (net1(torch.relu(v4)) + torch.tensor(1.5))
    v7 = (x / torch.exp(torch.tanh(v5)))
    v8 = torch.flatten((-v7), 1)
    v9 = torch.relu(v4)
    v10 = torch.softmax((-x), -1)
    v11 = (v10 / ((v10 * v10) + torch.tensor(1)))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        return h
    z = net3(torch.flatten(v11, 1))
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
