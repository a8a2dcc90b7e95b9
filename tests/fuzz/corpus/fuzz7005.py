# model fuzz7005, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.max_pool2d(h, 1, 1, 0, 1)
        h = F.batch_norm(h, None, None, t["net1.1.weight"], t["net1.1.bias"], True, 0.1, 0.1)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        return h
    v1 = F.linear(torch.sqrt((torch.abs(net1(x)) + torch.tensor(0.5))), t["v1.weight"], t["v1.bias"])
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        return h
    def net3(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net3.5.weight"], t["net3.5.bias"])
        h = torch.sigmoid(h)
        return h
    v2 = torch.mean(net3(net2((v1 / (torch.sigmoid(v1) + torch.tensor(0.5))))))
    v3 = (v2 - torch.relu(v2))
    v4 = F.log_softmax(x, -1)
    p1 = t["p1"]
    v5 = (net2((v1 / ((v1 * v1) + torch.tensor(1)))) / (torch.sigmoid(p1) + torch.tensor(0.5)))
    v6 = torch.flatten((-x), 1)
    v7 = torch.sum(torch.sqrt((torch.abs((-F.elu(v6))) + torch.tensor(0.5))))
    v8 = torch.tanh(v7)
    logits = F.linear(torch.tanh(torch.flatten(v4, 1)), t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y)
