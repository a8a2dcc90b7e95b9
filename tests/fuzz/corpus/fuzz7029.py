# model fuzz7029, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], t["net1.0.bias"], 2, 0, 1, 3)
        h = torch.sigmoid(h)
        h = F.conv2d(h, t["net1.2.weight"], None, 2, 1, 1, 1)
        h = torch.relu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        h = torch.tanh(h)
        return h
    p1 = t["p1"]
    v1 = torch.matmul(net1((-x)), p1)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.relu(h)
        return h
    p2 = t["p2"]
    def net3(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = torch.relu(h)
        return h
    v2 = net3((net2(v1) - p2))
    p3 = t["p3"]
    v3 = F.linear(torch.matmul(v2, p3), t["v3.weight"], t["v3.bias"])
    p4 = t["p4"]
    v4 = torch.matmul(torch.softmax(v3, -1), p4)
    v5 = (p3 - p2)
    v6 = (torch.log((torch.sigmoid(x) + torch.tensor(0.5))) / (torch.sigmoid(p2) + torch.tensor(0.5)))
    def net4(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = torch.sigmoid(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net4.4.weight"], t["net4.4.bias"])
        return h
    p5 = t["p5"]
    v7 = torch.mean(torch.matmul(net4((v6 - v6)), p5))
    v8 = torch.relu(torch.exp(torch.tanh((v7 / ((v7 * v7) + torch.tensor(1))))))
    p6 = t["p6"]
    v9 = (v7 + torch.sigmoid((v8 + p6)))
    v10 = (v9 / ((v9 * v9) + torch.tensor(1)))
    v11 = (-torch.log(((v10 * v10) + torch.tensor(1))))
    p7 = t["p7"]
    z = torch.matmul(torch.flatten(v6, 1), p7)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.sum(v11))
