# model fuzz7004, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = F.log_softmax(torch.sigmoid(F.log_softmax(x, -1)), -1)
    def net1(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.silu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = F.log_softmax(h, -1)
        return h
    v2 = net1(v1)
    v3 = net1(x)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        return h
    v4 = net2(v3)
    v5 = torch.tanh(v4)
    v6 = net1(x)
    v7 = torch.sigmoid(v6)
    v8 = torch.sum(((v7 / torch.exp(torch.tanh(v7))) + torch.tensor(3)))
    v9 = torch.sqrt((torch.abs(v2) + torch.tensor(0.5)))
    p1 = t["p1"]
    v10 = torch.matmul(v7, p1)
    return torch.mean(((v10 - y) * (v10 - y)))
