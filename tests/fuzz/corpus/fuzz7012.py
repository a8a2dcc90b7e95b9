# model fuzz7012, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.sqrt((torch.abs(F.gelu(x)) + torch.tensor(0.5)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        return h
    v2 = torch.relu(net1(y))
    p1 = t["p1"]
    v3 = (-(F.linear(v2, t["v3.weight"], t["v3.bias"]) - p1))
    def net2(h):
        h = F.leaky_relu(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.sigmoid(h)
        h = torch.relu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.6.weight"], t["net2.6.bias"])
        h = torch.relu(h)
        return h
    v4 = net2(torch.relu(v3))
    v5 = (v4 - torch.mean(v4, 1, keepdim=True))
    v6 = torch.mean(F.linear(v5, t["v6.weight"], t["v6.bias"]))
    v7 = torch.relu(torch.tanh(torch.tanh(v6)))
    v8 = torch.sqrt((torch.abs(torch.sqrt((torch.abs((v7 / ((v7 * v7) + torch.tensor(1)))) + torch.tensor(0.5)))) + torch.tensor(0.5)))
    v9 = torch.sqrt((torch.abs((-v8)) + torch.tensor(0.5)))
    def net3(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        return h
    def net4(h):
        h = torch.relu(h)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        h = F.linear(h, t["net4.4.weight"], t["net4.4.bias"])
        return h
    v10 = (torch.tensor(3) + net4(net3(x)))
    p2 = t["p2"]
    z = torch.matmul(torch.tanh(v10), p2)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
