# model fuzz7005, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    v1 = (-F.leaky_relu(torch.softmax(torch.tanh(((x / ((x * x) + torch.tensor(1))) / ((p1 * p1) + torch.tensor(1)))), -1)))
    v2 = torch.transpose(torch.softmax((x - v1), -1), 3, 1)
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], None, 1, 1, 1, 1)
        h = F.max_pool2d(h, 2, 1, 0, 2)
        h = F.conv2d(h, t["net1.2.weight"], t["net1.2.bias"], 1, 0, 1, 1)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.log_softmax(h, -1)
        return h
    v3 = net1((v2 / torch.exp(torch.tanh(v2))))
    p2 = t["p2"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.relu(h)
        return h
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        return h
    v4 = net3(net2((p2 - v3)))
    v5 = torch.log((torch.sigmoid(F.log_softmax(net2(torch.sigmoid(v4)), -1)) + torch.tensor(0.5)))
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = torch.relu(h)
        return h
    v6 = net4(v5)
    v7 = torch.sqrt((torch.abs(x) + torch.tensor(0.5)))
    def net5(h):
        h = F.linear(h, t["net5.0.weight"], t["net5.0.bias"])
        h = F.elu(h)
        h = F.leaky_relu(h)
        h = F.linear(h, t["net5.3.weight"], t["net5.3.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net5.5.weight"], t["net5.5.bias"])
        return h
    logits = net5(v6)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
