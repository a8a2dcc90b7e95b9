# model fuzz7018, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = ((x / torch.exp(torch.tanh(p1))) / (torch.sigmoid(x) + torch.tensor(0.5)))
    p2 = t["p2"]
    v2 = (torch.tensor(1.5) + (-(p2 - torch.sigmoid(v1))))
    v3 = torch.sum(torch.sigmoid(p1))
    v4 = (v3 / ((v3 * v3) + torch.tensor(1)))
    v5 = torch.sigmoid(torch.tanh(v4))
    v6 = torch.relu(v5)
    v7 = torch.sigmoid(v6)
    v8 = ((v5 - v7) / torch.exp(torch.tanh(v3)))
    v9 = ((y + v8) * y)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        return h
    v10 = net1((y + v9))
    def net2(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    return F.binary_cross_entropy_with_logits(net2(v10), y) + torch.sum(v2) + torch.sum(v6)
