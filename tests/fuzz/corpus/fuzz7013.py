# model fuzz7013, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        return h
    v1 = net1(torch.relu(torch.relu(x)))
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.relu(h)
        return h
    def net3(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.sigmoid(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.4.weight"], t["net3.4.bias"])
        h = torch.tanh(h)
        return h
    v2 = net3(net2((v1 / torch.exp(torch.tanh(v1)))))
    p1 = t["p1"]
    v3 = (torch.tanh(v2) - p1)
    p2 = t["p2"]
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net4.2.weight"], t["net4.2.bias"])
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        return h
    v4 = net4(F.linear(net2((torch.softmax(net1((torch.tensor(2) * x)), -1) * p2)), t["v4.weight"], t["v4.bias"]))
    def net5(h):
        h = F.linear(h, t["net5.0.weight"], t["net5.0.bias"])
        h = torch.relu(h)
        return h
    p3 = t["p3"]
    def net6(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net6.1.weight"], t["net6.1.bias"])
        h = F.linear(h, t["net6.2.weight"], t["net6.2.bias"])
        h = torch.relu(h)
        return h
    v5 = net6(torch.matmul(net5(F.linear(x, t["v5.weight"], t["v5.bias"])), p3))
    v6 = torch.relu((v5 / ((v5 * v5) + torch.tensor(1))))
    v7 = torch.mean(((v6 - torch.relu(x)) / (torch.sigmoid(v5) + torch.tensor(0.5))))
    logits = F.linear(v6, t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y)
