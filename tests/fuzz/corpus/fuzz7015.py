# model fuzz7015, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        return h
    v1 = net1(net1(x))
    v2 = net1(torch.log((torch.sigmoid(x) + torch.tensor(0.5))))
    v3 = (torch.tensor(0.5) + torch.softmax(v2, -1))
    v4 = torch.log((torch.sigmoid(net1(net1((v3 / (torch.sigmoid(v3) + torch.tensor(0.5)))))) + torch.tensor(0.5)))
    v5 = F.linear(torch.softmax(v4, -1), t["v5.weight"], t["v5.bias"])
    v6 = (-(-(-x)))
    v7 = torch.mean(torch.exp(torch.tanh(net1((-(-torch.relu(v6)))))))
    v8 = (v7 - (v7 + v7))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    logits = net2(v6)
    return F.cross_entropy(logits, y)
