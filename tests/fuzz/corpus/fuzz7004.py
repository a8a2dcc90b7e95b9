# model fuzz7004, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = F.linear(torch.softmax(torch.tanh(x), -1), t["v1.weight"], t["v1.bias"])
    v2 = torch.softmax(F.linear(torch.tanh(v1), t["v2.weight"], t["v2.bias"]), -1)
    v3 = F.linear(torch.softmax((torch.tensor(0.10000000000000001) - v2), -1), t["v3.weight"], t["v3.bias"])
    v4 = (F.linear(v2, t["v4.weight"], t["v4.bias"]) + torch.tensor(1.5))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    v5 = net1(v4)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v6 = net2(torch.log((torch.sigmoid(x) + torch.tensor(0.5))))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.4.weight"], t["net3.4.bias"])
        return h
    v7 = net3(v6)
    v8 = (x / ((x * x) + torch.tensor(1)))
    p1 = t["p1"]
    v9 = torch.matmul(v7, p1)
    return torch.mean(((v9 - y) * (v9 - y)))
