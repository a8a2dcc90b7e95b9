# model fuzz7003, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.tanh(h)
        return h
    v1 = net1(F.linear(torch.relu(x), t["v1.weight"], t["v1.bias"]))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.relu(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.sigmoid(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.6.weight"], t["net2.6.bias"])
        h = torch.tanh(h)
        return h
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.tanh(h)
        return h
    v2 = torch.mean(net3(net2(v1)))
    v3 = (-(-v2))
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net4.2.weight"], t["net4.2.bias"])
        h = torch.relu(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net4.5.weight"], t["net4.5.bias"])
        return h
    logits = net4(x)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean(v3)) + (torch.tensor(0.10000000000000001) * torch.sum(v1))
