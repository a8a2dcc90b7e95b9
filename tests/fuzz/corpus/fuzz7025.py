# model fuzz7025, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.sigmoid(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = net1(x)
    def net2(h):
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.tanh(h)
        return h
    p1 = t["p1"]
    v2 = torch.matmul(net2(net1(x)), p1)
    p2 = t["p2"]
    v3 = (p2 - (x / torch.exp(torch.tanh(torch.tensor(0.5)))))
    v4 = torch.sigmoid((torch.softmax(p2, -1) * p2))
    v5 = torch.sigmoid((torch.relu(v4) - v2))
    v6 = torch.tanh(net1(x))
    p3 = t["p3"]
    v7 = (p3 - torch.exp(torch.relu((-net1((x - v3))))))
    v8 = (v7 / torch.exp(torch.tanh(v7)))
    v9 = torch.log((torch.sigmoid(torch.softmax(F.linear(torch.relu(net2(v8)), t["v9.weight"], t["v9.bias"]), -1)) + torch.tensor(0.5)))
    v10 = torch.softmax((v8 / ((v8 * v8) + torch.tensor(1))), -1)
    logits = net2(v10)
    return F.cross_entropy(logits, y)
