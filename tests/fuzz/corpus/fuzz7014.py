# model fuzz7014, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = net1(torch.flatten(x, 1))
    p1 = t["p1"]
    v2 = F.linear((y / torch.exp(torch.tanh(p1))), t["v2.weight"], t["v2.bias"])
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        return h
    v3 = net2(torch.tanh(v2))
    p2 = t["p2"]
    p3 = t["p3"]
    v4 = F.linear(torch.matmul((v3 / ((p2 * p2) + torch.tensor(1))), p3), t["v4.weight"], t["v4.bias"])
    def net3(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.relu(h)
        return h
    v5 = torch.softmax(net3(v4), -1)
    def net4(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net4.5.weight"], t["net4.5.bias"])
        return h
    z = net4(v5)
    return torch.mean(((z - y) * (z - y)))
