# model fuzz7012, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (x * x)
    v2 = torch.sum((v1 / ((v1 * v1) + torch.tensor(1))))
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.sigmoid(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.relu(h)
        return h
    v3 = net1((x + v2))
    p1 = t["p1"]
    v4 = torch.relu((p1 + torch.tanh(v2)))
    p2 = t["p2"]
    p3 = t["p3"]
    def net2(h):
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.sigmoid(h)
        return h
    p4 = t["p4"]
    v5 = torch.matmul(net2(torch.matmul(torch.matmul(v3, p2), p3)), p4)
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        return h
    v6 = net3(F.linear(torch.relu(v5), t["v6.weight"], t["v6.bias"]))
    v7 = net1(torch.flatten((-x), 1))
    v8 = torch.log((torch.sigmoid(torch.softmax(p2, -1)) + torch.tensor(0.5)))
    v9 = torch.tanh(net2(v3))
    v10 = torch.softmax((v2 + x), -1)
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net4.2.weight"], t["net4.2.bias"])
        h = torch.relu(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net4.5.weight"], t["net4.5.bias"])
        return h
    z = net4(torch.flatten(v10, 1))
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y)))
