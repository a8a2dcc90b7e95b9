# model fuzz7024, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.log_softmax(h, -1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.tanh(h)
        return h
    p1 = t["p1"]
    p2 = t["p2"]
    v1 = ((torch.tanh((x + net1(x))) * p1) / (torch.sigmoid(p2) + torch.tensor(0.5)))
    v2 = (-torch.sqrt((torch.abs(x) + torch.tensor(0.5))))
    v3 = (v1 + (torch.tensor(1.5) + torch.softmax(torch.tanh(torch.relu((v2 / torch.exp(torch.tanh(v2))))), -1)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.leaky_relu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.silu(h)
        return h
    v4 = torch.sigmoid(net2((x / ((v3 * v3) + torch.tensor(1)))))
    p3 = t["p3"]
    v5 = torch.sigmoid((v4 * p3))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        return h
    p4 = t["p4"]
    v6 = torch.matmul(torch.sqrt((torch.abs(net3(v5)) + torch.tensor(0.5))), p4)
    v7 = torch.softmax(F.linear(v6, t["v7.weight"], t["v7.bias"]), -1)
    v8 = torch.sqrt((torch.abs((-((v7 / (torch.sigmoid(v7) + torch.tensor(0.5))) + v7))) + torch.tensor(0.5)))
    v9 = torch.softmax((v2 / torch.exp(torch.tanh(torch.tensor(0.10000000000000001)))), -1)
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        return h
    z = net4(x)
    return F.mse_loss(z, y)
