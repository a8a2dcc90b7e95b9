# model fuzz7025, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = (x / torch.exp(torch.tanh(x)))
    def net1(h):
        h = F.avg_pool2d(h, 2, 1, 0)
        h = F.conv2d(h, t["net1.1.weight"], t["net1.1.bias"], 1, 0, 1, 1)
        h = torch.sigmoid(h)
        h = torch.flatten(h, 1)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        h = torch.tanh(h)
        return h
    p1 = t["p1"]
    v2 = torch.matmul(net1(v1), p1)
    v3 = torch.softmax(torch.softmax(v2, -1), -1)
    v4 = F.elu((torch.sigmoid(x) / (torch.sigmoid(v1) + torch.tensor(0.5))))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.relu(h)
        return h
    v5 = torch.softmax(net2(net1(x)), -1)
    v6 = F.log_softmax(torch.sqrt((torch.abs((v4 - x)) + torch.tensor(0.5))), -1)
    def net3(h):
        h = F.max_pool2d(h, 2, 1, 1, 2)
        h = torch.tanh(h)
        h = F.conv2d(h, t["net3.2.weight"], t["net3.2.bias"], 1, 1, 2, 2)
        h = torch.sigmoid(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.5.weight"], t["net3.5.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.7.weight"], t["net3.7.bias"])
        h = torch.tanh(h)
        return h
    v7 = torch.exp(net3((x - (v6 / ((v6 * v6) + torch.tensor(1))))))
    v8 = torch.sum((v7 / torch.exp(torch.tanh(v7))))
    v9 = torch.mean((x / ((v8 * v8) + torch.tensor(1))))
    v10 = torch.tanh(F.gelu(v9))
    p2 = t["p2"]
    logits = torch.matmul(v3, p2)
    return F.cross_entropy(logits, y)
