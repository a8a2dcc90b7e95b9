# model fuzz7022, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.relu(h)
        return h
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.sigmoid(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    v1 = net2(net1(x))
    p1 = t["p1"]
    v2 = torch.matmul(torch.softmax(x, -1), p1)
    v3 = ((torch.sigmoid(x) + x) - x)
    v4 = net1(torch.exp(torch.tanh(x)))
    v5 = (v4 * torch.tensor(1.5))
    v6 = torch.log(((v5 * v5) + torch.tensor(1)))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net3.4.weight"], t["net3.4.bias"])
        return h
    v7 = torch.softmax(torch.relu(net3(v2)), -1)
    v8 = (-torch.sigmoid(v3))
    p2 = t["p2"]
    p3 = t["p3"]
    v9 = torch.matmul(torch.matmul((v8 - v8), p2), p3)
    p4 = t["p4"]
    v10 = ((v9 / ((v9 * v9) + torch.tensor(1))) / torch.exp(torch.tanh(p4)))
    p5 = t["p5"]
    logits = torch.matmul(v6, p5)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
