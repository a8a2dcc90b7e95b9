# model fuzz7024, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.tanh(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.relu(h)
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v1 = net2(torch.sigmoid(net1(torch.sigmoid(torch.log(((x * x) + torch.tensor(1)))))))
    v2 = (torch.tensor(1.5) - net1(x))
    v3 = torch.mean(torch.tanh(v2))
    p1 = t["p1"]
    v4 = torch.sigmoid((-(p1 + (torch.tensor(1.5) + torch.tanh((p1 - v3))))))
    p2 = t["p2"]
    v5 = torch.matmul((-(-x)), p2)
    v6 = torch.softmax((v4 - torch.tensor(0.25)), -1)
    v7 = torch.log(((v6 * v6) + torch.tensor(1)))
    p3 = t["p3"]
    v8 = torch.softmax(torch.tanh((v7 / ((p3 * p3) + torch.tensor(1)))), -1)
    v9 = torch.sigmoid((-(-v8)))
    p4 = t["p4"]
    z = torch.matmul(torch.tanh(v5), p4)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + torch.mean((v9 * v9)) + (torch.tensor(0.01) * torch.mean((p4 * p4)))
