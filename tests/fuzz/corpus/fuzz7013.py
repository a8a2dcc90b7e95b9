# model fuzz7013, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sigmoid(torch.relu((-x)))
    p1 = t["p1"]
    v2 = ((v1 / (torch.sigmoid(v1) + torch.tensor(0.5))) - p1)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.relu(h)
        return h
    v3 = torch.tanh(net1(torch.softmax(v2, -1)))
    p2 = t["p2"]
    v4 = torch.matmul(((-v3) - v3), p2)
    v5 = (v1 + torch.log((torch.sigmoid(x) + torch.tensor(0.5))))
    v6 = torch.softmax((v5 / ((v5 * v5) + torch.tensor(1))), -1)
    v7 = (v6 / ((v6 * v6) + torch.tensor(1)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        return h
    v8 = net2(net1(v1))
    def net3(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        return h
    logits = net3(v8)
    return F.cross_entropy(logits, y) + (torch.tensor(0.10000000000000001) * torch.mean((v5 * v5)))
