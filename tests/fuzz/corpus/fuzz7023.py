# model fuzz7023, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (-torch.flatten(x, 1))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    v2 = (net1(v1) + torch.tensor(2))
    p1 = t["p1"]
    v3 = (v2 * p1)
    v4 = torch.mean(torch.log((torch.sigmoid(((v3 / ((v3 * v3) + torch.tensor(1))) / (torch.sigmoid(v3) + torch.tensor(0.5)))) + torch.tensor(0.5))))
    def net2(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.tanh(h)
        return h
    p2 = t["p2"]
    v5 = (F.linear(net2(x), t["v5.weight"], t["v5.bias"]) / ((p2 * p2) + torch.tensor(1)))
    def net3(h):
        h = F.leaky_relu(h)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = torch.sigmoid(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net3.6.weight"], t["net3.6.bias"])
        h = torch.relu(h)
        return h
    v6 = net3(v5)
    v7 = torch.softmax(torch.relu(torch.softmax(v6, -1)), -1)
    v8 = (v2 + p2)
    def net4(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = F.log_softmax(h, -1)
        return h
    v9 = net4(((F.gelu(x) - p1) / (torch.sigmoid(x) + torch.tensor(0.5))))
    v10 = (v9 / ((v9 * v9) + torch.tensor(1)))
    v11 = torch.relu(p1)
    def net5(h):
        h = F.linear(h, t["net5.0.weight"], t["net5.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net5.2.weight"], t["net5.2.bias"])
        h = torch.relu(h)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net5.5.weight"], t["net5.5.bias"])
        return h
    z = net5(v10)
    return F.binary_cross_entropy_with_logits(z, y) + torch.mean(v8) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.10000000000000001) * torch.sum(torch.tanh(v10)))
