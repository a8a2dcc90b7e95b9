# model fuzz7006, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.flatten(torch.softmax((-x), -1), 1)
    v2 = F.linear(v1, t["v2.weight"], t["v2.bias"])
    v3 = (v2 / ((v2 * v2) + torch.tensor(1)))
    v4 = torch.relu(v3)
    v5 = torch.tanh(torch.clamp(x, -0.5, 0.75))
    v6 = (-torch.clamp(torch.relu(v5), -0.5, 0.75))
    v7 = torch.softmax((-x), -1)
    v8 = torch.sqrt((torch.abs(torch.transpose((v7 / ((v7 * v7) + torch.tensor(1))), 1, 2)) + torch.tensor(0.5)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.log_softmax(h, -1)
        return h
    p1 = t["p1"]
    v9 = (p1 + torch.sqrt((torch.abs(net1(y)) + torch.tensor(0.5))))
    v10 = torch.flatten(x, 1)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v11 = net2((-v10))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        h = F.leaky_relu(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = F.log_softmax(h, -1)
        h = F.linear(h, t["net3.5.weight"], t["net3.5.bias"])
        return h
    z = net3(v11)
    return torch.mean(((z - y) * (z - y))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
