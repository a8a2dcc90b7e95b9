# model fuzz7006, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = net1(torch.matmul(torch.flatten(x, 1), p1))
    def net2(h):
        h = F.conv2d(h, t["net2.0.weight"], t["net2.0.bias"], 1, 1, 2, 3)
        h = F.avg_pool2d(h, 3, 2, 1)
        h = torch.relu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.tanh(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net2.7.weight"], t["net2.7.bias"])
        h = F.linear(h, t["net2.8.weight"], t["net2.8.bias"])
        return h
    v2 = (torch.tensor(0.10000000000000001) * net2(torch.sigmoid(x)))
    v3 = torch.exp(torch.tanh(torch.tanh(v2)))
    p2 = t["p2"]
    p3 = t["p3"]
    def net3(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.sigmoid(h)
        return h
    p4 = t["p4"]
    v4 = (p4 + net3(torch.matmul((torch.tensor(0.5) - (-(v3 * p2))), p3)))
    v5 = torch.softmax(x, -1)
    v6 = torch.exp(torch.tanh(v5))
    v7 = torch.flatten(torch.sigmoid(torch.sigmoid(v6)), 1)
    v8 = (p4 - torch.softmax(torch.log((torch.sigmoid((torch.softmax(p4, -1) - p4)) + torch.tensor(0.5))), -1))
    v9 = torch.sigmoid((-v8))
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = F.linear(h, t["net4.2.weight"], t["net4.2.bias"])
        return h
    v10 = net4(v4)
    return torch.mean(((v10 - y) * (v10 - y))) + (torch.tensor(0.10000000000000001) * torch.mean(v1))
