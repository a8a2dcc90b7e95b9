# model fuzz7015, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = F.linear((x - x), t["v1.weight"], t["v1.bias"])
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.relu(h)
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.relu(h)
        return h
    v2 = torch.sigmoid((-net2(torch.log((torch.sigmoid(torch.exp(torch.tanh(net1(x)))) + torch.tensor(0.5))))))
    v3 = torch.softmax(F.linear(x, t["v3.weight"], t["v3.bias"]), -1)
    v4 = torch.exp(torch.tanh(x))
    p1 = t["p1"]
    v5 = torch.mean((v4 + p1))
    v6 = torch.sigmoid(((-v5) / ((torch.tensor(2) * torch.tensor(2)) + torch.tensor(1))))
    v7 = torch.relu((v6 / torch.exp(torch.tanh(v6))))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        return h
    return F.cross_entropy(net3(torch.tanh(v1)), y)
