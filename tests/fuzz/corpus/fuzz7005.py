# model fuzz7005, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    v1 = (-F.leaky_relu(torch.softmax(torch.tanh(((x / ((x * x) + torch.tensor(1))) / ((p1 * p1) + torch.tensor(1)))), -1)))
    v2 = torch.transpose(torch.softmax((x - v1), -1), 3, 1)
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], None, 1, 1, 1, 1)
        h = torch.relu(h)
        h = F.adaptive_avg_pool2d(h, 1)
        h = torch.sigmoid(h)
        h = F.conv2d(h, t["net1.4.weight"], t["net1.4.bias"], 1, 1, 1, 2)
        h = F.batch_norm(h, None, None, t["net1.5.weight"], t["net1.5.bias"], True, 0.1, 0.1)
        h = F.elu(h)
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.9.weight"], t["net1.9.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.11.weight"], t["net1.11.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.13.weight"], t["net1.13.bias"])
        h = F.gelu(h)
        return h
    v3 = net1((v2 / torch.exp(torch.tanh(v2))))
    v4 = F.linear(torch.exp(torch.tanh((v3 - v3))), t["v4.weight"], t["v4.bias"])
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    v5 = torch.exp(torch.tanh(net2(torch.sigmoid(v4))))
    v6 = (-v5)
    v7 = F.linear(v6, t["v7.weight"], t["v7.bias"])
    v8 = (v7 / (torch.sigmoid(v7) + torch.tensor(0.5)))
    v9 = torch.sum(torch.softmax(torch.sigmoid(torch.exp((v8 / ((v8 * v8) + torch.tensor(1))))), -1))
    logits = F.linear(torch.tanh(v8), t["logits.weight"], t["logits.bias"])
    return F.nll_loss(F.log_softmax(logits, -1), y) + (torch.tensor(0.01) * torch.sum(v9))
