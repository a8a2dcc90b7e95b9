# model fuzz7006, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.tanh(h)
        return h
    v1 = torch.mean(torch.log((torch.sigmoid(net1(torch.softmax(x, -1))) + torch.tensor(0.5))))
    v2 = torch.tanh(x)
    p1 = t["p1"]
    p2 = t["p2"]
    v3 = (p2 + (torch.log(torch.exp(v2)) / ((p1 * p1) + torch.tensor(1))))
    v4 = torch.tanh(p2)
    p3 = t["p3"]
    v5 = (p3 * (-x))
    v6 = (torch.tensor(0.25) - y)
    p4 = t["p4"]
    v7 = (v1 - (torch.softmax(y, -1) * p4))
    v8 = (v4 * v7)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v9 = F.linear(net2(torch.relu(v8)), t["v9.weight"], t["v9.bias"])
    p5 = t["p5"]
    z = torch.matmul(v9, p5)
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y)))
