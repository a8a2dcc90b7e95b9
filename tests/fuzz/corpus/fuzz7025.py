# model fuzz7025, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.transpose(x, 1, 3)
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
    v2 = net1(torch.sigmoid(v1))
    v3 = torch.sigmoid(F.linear(v2, t["v3.weight"], t["v3.bias"]))
    v4 = torch.sqrt((torch.abs(torch.pow(v3, 2)) + torch.tensor(0.5)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.elu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    p1 = t["p1"]
    v5 = torch.matmul(torch.sigmoid(net2(v3)), p1)
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        return h
    v6 = torch.softmax(net3((v5 / (torch.sigmoid(v5) + torch.tensor(0.5)))), -1)
    v7 = torch.relu((-(-torch.log(((v6 * v6) + torch.tensor(1))))))
    v8 = torch.relu(p1)
    v9 = torch.softmax(torch.softmax(torch.sigmoid(v8), -1), -1)
    v10 = x[:, :, :, 4:7]
    p2 = t["p2"]
    logits = torch.matmul(v7, p2)
    return F.nll_loss(F.log_softmax(logits, -1), y) + (torch.tensor(0.10000000000000001) * torch.sum(torch.tanh(v4)))
