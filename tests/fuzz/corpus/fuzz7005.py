# model fuzz7005, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = (torch.relu((-net1(((-x) - p1)))) / torch.exp(torch.tanh(torch.tensor(2))))
    p2 = t["p2"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        return h
    v2 = torch.softmax(net2(torch.matmul(v1, p2)), -1)
    p3 = t["p3"]
    v3 = (torch.softmax(v2, -1) - p3)
    v4 = torch.relu(torch.tanh(v3))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.tanh(h)
        return h
    v5 = net3((v4 - p1))
    p4 = t["p4"]
    p5 = t["p5"]
    v6 = ((p5 - torch.matmul(v5, p4)) * v5)
    v7 = torch.sum(torch.matmul((-v6), p4))
    logits = F.linear(v6, t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y) + torch.mean((v2 * v2))
