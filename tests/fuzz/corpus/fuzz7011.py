# model fuzz7011, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.log(torch.exp(torch.tanh(torch.softmax(x, -1))))
    p1 = t["p1"]
    v2 = torch.mean(torch.clamp(torch.matmul((v1 * x), p1), -0.5, 0.75))
    def net1(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        return h
    v3 = net1(v1)
    v4 = torch.tanh(p1)
    v5 = torch.mean(torch.clamp(torch.sigmoid(v4), -0.5, 0.75))
    p2 = t["p2"]
    v6 = torch.reshape((x / ((p2 * p2) + torch.tensor(1))), (-1, 1))
    v7 = torch.sigmoid(torch.sigmoid(torch.sum(F.linear((v6 / torch.exp(torch.tanh(v2))), t["v7.weight"], t["v7.bias"]), 1, keepdim=True)))
    v8 = F.linear(v7, t["v8.weight"], t["v8.bias"])
    v9 = (v8 + v5)
    v10 = torch.relu((-torch.log((torch.sigmoid(v9) + torch.tensor(0.5)))))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    return F.cross_entropy(net2(v3), y) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
