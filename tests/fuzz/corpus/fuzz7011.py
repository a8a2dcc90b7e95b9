# model fuzz7011, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = net2(net1(torch.relu(x)))
    v2 = torch.sqrt((torch.abs(torch.relu((-x))) + torch.tensor(0.5)))
    p1 = t["p1"]
    v3 = torch.sum((-(p1 * v2)))
    p2 = t["p2"]
    v4 = torch.softmax((torch.log((torch.sigmoid((torch.sqrt((torch.abs(net1(x)) + torch.tensor(0.5))) - v3)) + torch.tensor(0.5))) * p2), -1)
    v5 = torch.tanh(((-v2) * x))
    v6 = torch.sqrt((torch.abs(x) + torch.tensor(0.5)))
    v7 = (v6 / ((torch.tensor(0.10000000000000001) * torch.tensor(0.10000000000000001)) + torch.tensor(1)))
    p3 = t["p3"]
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        return h
    v8 = torch.exp(torch.tanh(net3(((-(-torch.softmax(torch.sigmoid(v7), -1))) - p3))))
    p4 = t["p4"]
    v9 = torch.matmul((-F.linear(v8, t["v9.weight"], t["v9.bias"])), p4)
    def net4(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = F.elu(h)
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        h = F.log_softmax(h, -1)
        return h
    p5 = t["p5"]
    v10 = torch.softmax(torch.matmul(net4(v9), p5), -1)
    p6 = t["p6"]
    logits = torch.matmul(v10, p6)
    return F.nll_loss(F.log_softmax(logits, -1), y) + torch.sum(v7) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p5 * p5)))
