# model fuzz7003, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.relu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = net2(torch.log((torch.sigmoid(net1(x)) + torch.tensor(0.5))))
    v2 = F.linear(v1, t["v2.weight"], t["v2.bias"])
    p1 = t["p1"]
    def net3(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = torch.relu(h)
        return h
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = torch.relu(h)
        return h
    p2 = t["p2"]
    p3 = t["p3"]
    v3 = torch.sum(torch.matmul(torch.matmul(net4(net3(torch.matmul(net1(x), p1))), p2), p3))
    def net5(h):
        h = torch.relu(h)
        h = F.linear(h, t["net5.1.weight"], t["net5.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net5.3.weight"], t["net5.3.bias"])
        return h
    logits = net5(v2)
    return F.cross_entropy(logits, y) + torch.sum(p2) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p3 * p3)))
